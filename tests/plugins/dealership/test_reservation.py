"""Reserving stock: only an accepted colour of the order's vehicle, and of several orders
racing for the same unit over real HTTP (uvicorn, concurrent connections) exactly one wins."""

from __future__ import annotations

import threading

import httpx

from tests.plugins.dealership.support import GOOD_VIN, customer, dealer, order, vehicle

API = "/api/v1/dealership"


def _unit(client, d, v, vin: str, colour: str = "9P9P") -> dict:
    r = client.post(f"{API}/stock", headers=d.as_("sales_manager"),
                    json={"vehicle_id": v["id"], "vin": vin, "colour_code": colour})
    assert r.status_code == 201, r.text
    return r.json()


def test_only_an_accepted_colour_of_the_same_vehicle_is_reserved(client):
    d = dealer(client)
    v, c = vehicle(client, d), customer(client, d)
    other = vehicle(client, d, trim="Sportline")
    o = order(client, d, v, c)  # F9R, accepting 9P9P and 1Z1Z
    white = _unit(client, d, v, "TMBJJ7NS5R8000001", colour="2Y2Y")
    elsewhere = _unit(client, d, other, "TMBJJ7NS5R8000002")
    for unit, words in ((white, "did not accept"), (elsewhere, "another vehicle")):
        r = client.post(f"{API}/orders/{o['id']}/reserve", headers=d.as_("salesperson"),
                        json={"stock_unit_id": unit["id"]})
        assert r.status_code == 422 and words in r.text
        assert r.json()["errors"][0]["field"] == "stock_unit_id"
    grey = _unit(client, d, v, GOOD_VIN)
    r = client.post(f"{API}/orders/{o['id']}/reserve", headers=d.as_("salesperson"),
                    json={"stock_unit_id": grey["id"]})
    assert r.status_code == 200 and r.json()["vin"] == GOOD_VIN
    unit = client.get(f"{API}/stock/{grey['id']}", headers=d.as_("salesperson")).json()
    assert unit["status"] == "reserved" and unit["order_id"] == o["id"]
    # Cancelling the order releases the unit.
    r = client.post(f"{API}/orders/{o['id']}/transition", headers=d.as_("salesperson"),
                    json={"transition": "cancel"})
    assert r.status_code == 200, r.text
    unit = client.get(f"{API}/stock/{grey['id']}", headers=d.as_("salesperson")).json()
    assert unit["status"] == "in_stock" and unit["order_id"] is None


def _race(base: str, headers: dict[str, str], order_ids: list[str], unit_id: str) -> list[int]:
    """Every order reserves ``unit_id`` at the same moment, each on its own connection."""
    start = threading.Barrier(len(order_ids))
    answers = [0] * len(order_ids)

    def reserve(i: int, oid: str) -> None:
        with httpx.Client(base_url=base, timeout=30) as http:
            start.wait()
            r = http.post(f"{API}/orders/{oid}/reserve", headers=headers,
                          json={"stock_unit_id": unit_id})
            answers[i] = r.status_code

    threads = [threading.Thread(target=reserve, args=(i, oid)) for i, oid in enumerate(order_ids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def test_concurrent_reservations_of_one_unit_let_exactly_one_win(client, live_server):
    d = dealer(client)
    v = vehicle(client, d)
    racers = 4
    for round_ in range(3):
        unit = _unit(client, d, v, f"TMBJJ7NS5R80000{round_}9")
        orders = [order(client, d, v, customer(client, d, f"Racer{i}"), who="sales_manager")
                  for i in range(racers)]
        answers = _race(live_server, d.as_("sales_manager"), [o["id"] for o in orders],
                        unit["id"])
        assert sorted(answers) == [200] + [409] * (racers - 1), answers
        winner = orders[answers.index(200)]["id"]
        held = client.get(f"{API}/stock/{unit['id']}", headers=d.as_("salesperson")).json()
        assert held["order_id"] == winner and held["status"] == "reserved"
        with_unit = [o for o in (client.get(f"{API}/orders/{x['id']}",
                                            headers=d.as_("sales_manager")).json()
                                 for x in orders) if o["stock_unit_id"]]
        assert [o["id"] for o in with_unit] == [winner]
