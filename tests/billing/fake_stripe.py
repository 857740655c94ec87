"""A stateful fake of Stripe's HTTP API on loopback, for the real ``stripe`` library.

It answers the documented shapes of the resources billing uses (customers, products,
prices, Checkout and portal sessions, subscriptions and their items, invoices) and, like a
real account, queues the signed webhook events those changes cause; ``deliver()`` sends
them (optionally out of order, or twice) to the app. Stripe's ``stripe-mock`` is stateless
and sends no events, hence this. Test-only controls play the customer's side: completing a
Checkout, a card that declines or asks for 3-D Secure, retries running out, renewals.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

Json = dict[str, Any]
_ids = itertools.count(1)


def _id(prefix: str) -> str:
    return f"{prefix}_fake{next(_ids):06d}"


def _set(target: Json, key: str, value: str) -> None:
    """``a[b][0][c]=v`` form encoding (what stripe-python sends) into nested dicts/lists."""
    parts = re.findall(r"[^\[\]]+|\[\]", key)
    node: Any = target
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        following = None if last else parts[index + 1]
        child: Any = [] if following is not None and (following.isdigit() or following == "[]") \
            else {}
        if isinstance(node, list):
            if part == "[]":
                if last:
                    node.append(value)
                    return
                node.append(child)
                node = child
                continue
            position = int(part)
            while len(node) <= position:
                node.append(None)
            if last:
                node[position] = value
                return
            if node[position] is None:
                node[position] = child
            node = node[position]
        else:
            if last:
                node[part] = value
                return
            node = node.setdefault(part, child)


def parse_form(body: str) -> Json:
    out: Json = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        _set(out, key, value)
    return out


class StripeError(Exception):
    def __init__(self, status: int, kind: str, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.kind, self.message, self.code = status, kind, message, code


class FakeStripe:
    def __init__(self, webhook_secret: str = "whsec_fake_test_secret") -> None:
        self.webhook_secret = webhook_secret
        self.customers: dict[str, Json] = {}
        self.products: dict[str, Json] = {}
        self.prices: dict[str, Json] = {}
        self.sessions: dict[str, Json] = {}
        self.subscriptions: dict[str, Json] = {}
        self.invoices: dict[str, Json] = {}
        self.portal_sessions: dict[str, Json] = {}
        self.idempotent: dict[str, tuple[int, Json]] = {}
        # "ok", "decline" or "authenticate" (3-D Secure) per customer.
        self.cards: dict[str, str] = {}
        self.outbox: list[Json] = []
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.RLock()
        self.clock = int(time.time())
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # ------------------------------------------------------------------ server

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeStripe:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                """Silent: a failing test shows the app's log, not one line per fake call."""

            def _answer(self, method: str) -> None:
                split = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                params = parse_form(split.query if method in ("GET", "DELETE") and not body
                                    else body)
                if not self.headers.get("Authorization", "").startswith("Bearer sk_"):
                    status, payload = 401, {"error": {"type": "invalid_request_error",
                                                      "message": "Invalid API Key provided"}}
                else:
                    key = self.headers.get("Idempotency-Key")
                    status, payload = fake.handle(method, split.path, params, key)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", _id("req"))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._answer("GET")

            def do_POST(self) -> None:
                self._answer("POST")

            def do_DELETE(self) -> None:
                self._answer("DELETE")

        return Handler

    def handle(self, method: str, path: str, params: Json, key: str | None) -> tuple[int, Json]:
        with self.lock:
            self.requests.append((method, path))
            if key and method == "POST" and key in self.idempotent:
                return self.idempotent[key]
            try:
                result: tuple[int, Json] = (200, self._route(method, path, params))
            except StripeError as exc:
                error = {"type": exc.kind, "message": exc.message}
                if exc.code:
                    error["code"] = exc.code
                result = (exc.status, {"error": error})
            if key and method == "POST":
                self.idempotent[key] = result
            return result

    def _route(self, method: str, path: str, p: Json) -> Json:
        routes: list[tuple[str, str, Callable[..., Json]]] = [
            ("POST", r"/v1/customers", self._create_customer),
            ("GET", r"/v1/customers/([^/]+)", lambda p, i: self._get(self.customers, i)),
            ("POST", r"/v1/products", self._create_product),
            ("POST", r"/v1/prices", self._create_price),
            ("GET", r"/v1/prices", self._list_prices),
            ("GET", r"/v1/prices/([^/]+)", lambda p, i: self._get(self.prices, i)),
            ("POST", r"/v1/checkout/sessions", self._create_session),
            ("POST", r"/v1/billing_portal/sessions", self._create_portal),
            ("GET", r"/v1/subscriptions", self._list_subscriptions),
            ("GET", r"/v1/subscriptions/([^/]+)",
             lambda p, i: self._get(self.subscriptions, i)),
            ("DELETE", r"/v1/subscriptions/([^/]+)", lambda p, i: self.cancel(i)),
            ("POST", r"/v1/subscription_items", self._create_item),
            ("POST", r"/v1/subscription_items/([^/]+)", self._update_item),
            ("DELETE", r"/v1/subscription_items/([^/]+)", self._delete_item),
            ("POST", r"/v1/invoices/create_preview", self._preview),
            ("GET", r"/v1/invoices", self._list_invoices),
            ("POST", r"/v1/invoices/([^/]+)/finalize", self._finalize),
            ("POST", r"/v1/invoices/([^/]+)/pay", lambda p, i: self.pay_invoice(i)),
        ]
        for verb, pattern, action in routes:
            found = re.fullmatch(pattern, path)
            if verb == method and found:
                return action(p, *found.groups())
        raise StripeError(404, "invalid_request_error", f"Unrecognized request URL ({path})")

    @staticmethod
    def _get(table: dict[str, Json], key: str) -> Json:
        if key not in table:
            raise StripeError(404, "invalid_request_error", f"No such object: '{key}'",
                              "resource_missing")
        return table[key]

    @staticmethod
    def _list(items: list[Json], url: str) -> Json:
        return {"object": "list", "data": items, "has_more": False, "url": url}

    # --------------------------------------------------------------- resources

    def _create_customer(self, p: Json) -> Json:
        customer = {"id": _id("cus"), "object": "customer", "name": p.get("name"),
                    "email": p.get("email"), "metadata": p.get("metadata", {}),
                    "created": self.clock, "livemode": False}
        self.customers[customer["id"]] = customer
        self.cards[customer["id"]] = "ok"
        return customer

    def _create_product(self, p: Json) -> Json:
        product = {"id": p.get("id") or _id("prod"), "object": "product", "name": p["name"],
                   "active": True, "metadata": p.get("metadata", {})}
        self.products[product["id"]] = product
        return product

    def _create_price(self, p: Json) -> Json:
        self._get(self.products, p["product"])
        lookup = p.get("lookup_key")
        if lookup and any(x["lookup_key"] == lookup for x in self.prices.values()):
            raise StripeError(400, "invalid_request_error",
                              f"A price with lookup_key {lookup} already exists")
        price = {"id": _id("price"), "object": "price", "product": p["product"],
                 "unit_amount": int(p["unit_amount"]), "currency": p["currency"],
                 "recurring": {"interval": p.get("recurring", {}).get("interval", "month")},
                 "lookup_key": lookup, "active": True, "type": "recurring",
                 "tax_behavior": p.get("tax_behavior", "unspecified")}
        self.prices[price["id"]] = price
        return price

    def add_price(self, unit_amount: int, lookup_key: str | None = None) -> str:
        """A product with one monthly price, made the way an operator would in the dashboard."""
        with self.lock:
            product = self._create_product({"name": lookup_key or "Product"})
            return str(self._create_price({"product": product["id"], "unit_amount": unit_amount,
                                           "currency": "eur", "lookup_key": lookup_key})["id"])

    def _list_prices(self, p: Json) -> Json:
        keys = p.get("lookup_keys")
        items = [x for x in self.prices.values() if keys is None or x["lookup_key"] in keys]
        return self._list(items, "/v1/prices")

    def _create_session(self, p: Json) -> Json:
        if p.get("mode") != "subscription":
            raise StripeError(400, "invalid_request_error", "mode: only subscription here")
        for field in ("success_url", "line_items"):
            if not p.get(field):
                raise StripeError(400, "invalid_request_error", f"Missing required param: {field}")
        for line in p["line_items"]:
            self._get(self.prices, line["price"])
        self._get(self.customers, p["customer"])
        session = {"id": _id("cs"), "object": "checkout.session", "mode": "subscription",
                   "customer": p["customer"], "status": "open", "payment_status": "unpaid",
                   "client_reference_id": p.get("client_reference_id"),
                   "success_url": p["success_url"], "cancel_url": p.get("cancel_url"),
                   "subscription": None, "automatic_tax": p.get("automatic_tax"),
                   "tax_id_collection": p.get("tax_id_collection"),
                   "billing_address_collection": p.get("billing_address_collection"),
                   "url": None, "_lines": p["line_items"],
                   "_subscription_data": p.get("subscription_data", {})}
        session["url"] = f"https://checkout.stripe.com/c/pay/{session['id']}"
        self.sessions[session["id"]] = session
        return self._public(session)

    def _create_portal(self, p: Json) -> Json:
        self._get(self.customers, p["customer"])
        portal = {"id": _id("bps"), "object": "billing_portal.session",
                  "customer": p["customer"], "return_url": p.get("return_url"),
                  "url": f"https://billing.stripe.com/p/session/{_id('test')}"}
        self.portal_sessions[portal["id"]] = portal
        return portal

    @staticmethod
    def _public(obj: Json) -> Json:
        return {k: v for k, v in obj.items() if not k.startswith("_")}

    def _list_subscriptions(self, p: Json) -> Json:
        wanted = p.get("status")
        items = [s for s in self.subscriptions.values()
                 if s["customer"] == p.get("customer")
                 and (wanted == "all" or (wanted is None and s["status"] != "canceled")
                      or s["status"] == wanted)]
        return self._list(items, "/v1/subscriptions")

    def _item(self, subscription: str, price: str, quantity: int) -> Json:
        sub = self.subscriptions.get(subscription)
        start = sub["_period_start"] if sub else self.clock
        return {"id": _id("si"), "object": "subscription_item", "subscription": subscription,
                "price": self.prices[price], "quantity": quantity, "metadata": {},
                "current_period_start": start, "current_period_end": start + 30 * 86400}

    def _find_item(self, item_id: str) -> tuple[Json, Json]:
        for sub in self.subscriptions.values():
            for item in sub["items"]["data"]:
                if item["id"] == item_id:
                    return sub, item
        raise StripeError(404, "invalid_request_error", f"No such subscription item: '{item_id}'",
                          "resource_missing")

    def _create_item(self, p: Json) -> Json:
        sub = self._get(self.subscriptions, p["subscription"])
        self._get(self.prices, p["price"])
        if sub["status"] in ("canceled", "incomplete_expired"):
            raise StripeError(400, "invalid_request_error", "The subscription is canceled")
        item = self._item(sub["id"], p["price"], int(p.get("quantity", 1)))
        amount = item["price"]["unit_amount"] * item["quantity"]
        if p.get("payment_behavior") == "pending_if_incomplete":
            invoice = self._invoice(sub, amount, "open")
            sub["latest_invoice"] = invoice["id"]
            if self._charge(sub, invoice):
                sub["items"]["data"].append(item)
                self._emit("customer.subscription.updated", sub)
            else:
                sub["pending_update"] = {"subscription_items": [item],
                                         "expires_at": self.clock + 23 * 3600}
                invoice["_pending_item"] = item
        else:
            sub["items"]["data"].append(item)
            self._emit("customer.subscription.updated", sub)
        return item

    def _update_item(self, p: Json, item_id: str) -> Json:
        sub, item = self._find_item(item_id)
        if "quantity" in p:
            item["quantity"] = int(p["quantity"])
        for key, value in p.get("metadata", {}).items():
            if value == "":
                item["metadata"].pop(key, None)
            else:
                item["metadata"][key] = value
        self._emit("customer.subscription.updated", sub)
        return item

    def _delete_item(self, p: Json, item_id: str) -> Json:
        sub, item = self._find_item(item_id)
        sub["items"]["data"].remove(item)
        self._emit("customer.subscription.updated", sub)
        return {"id": item_id, "object": "subscription_item", "deleted": True}

    def _preview(self, p: Json) -> Json:
        live = [s for s in self.subscriptions.values() if s["customer"] == p.get("customer")
                and s["status"] in ("active", "trialing", "past_due")]
        if not live:
            raise StripeError(404, "invalid_request_error", "No upcoming invoices for customer",
                              "invoice_upcoming_none")
        amount = sum(i["price"]["unit_amount"] * i["quantity"]
                     for s in live for i in s["items"]["data"])
        end = min(s["_period_start"] + 30 * 86400 for s in live)
        return {"id": None, "object": "invoice", "customer": p["customer"], "status": "draft",
                "amount_due": amount, "currency": "eur", "period_end": end,
                "next_payment_attempt": end}

    def _list_invoices(self, p: Json) -> Json:
        items = [self._public(i) for i in self.invoices.values()
                 if (p.get("customer") in (None, i["customer"]))
                 and (p.get("subscription") in (None, i["subscription"]))
                 and (p.get("status") in (None, i["status"]))]
        return self._list(items, "/v1/invoices")

    def _finalize(self, p: Json, invoice_id: str) -> Json:
        invoice = self._get(self.invoices, invoice_id)
        if invoice["status"] != "draft":
            raise StripeError(400, "invalid_request_error", "This invoice is already finalized")
        invoice["status"] = "open"
        self._emit("invoice.finalized", invoice)
        sub = self.subscriptions[invoice["subscription"]]
        if p.get("auto_advance") != "false":
            self._charge(sub, invoice)
        return self._public(invoice)

    def _invoice(self, sub: Json, amount: int, status: str) -> Json:
        invoice = {"id": _id("in"), "object": "invoice", "customer": sub["customer"],
                   "subscription": sub["id"],
                   "parent": {"type": "subscription_details",
                              "subscription_details": {"subscription": sub["id"]}},
                   "status": status, "amount_due": amount, "amount_paid": 0, "currency": "eur",
                   "hosted_invoice_url": f"https://invoice.stripe.com/i/{_id('inv')}",
                   "period_end": self.clock, "next_payment_attempt": None}
        self.invoices[invoice["id"]] = invoice
        return invoice

    def _charge(self, sub: Json, invoice: Json) -> bool:
        """Try the customer's card on an open invoice; True when it was paid."""
        card = self.cards.get(sub["customer"], "ok")
        if card == "ok":
            self._paid(sub, invoice)
            return True
        kind = ("invoice.payment_action_required" if card == "authenticate"
                else "invoice.payment_failed")
        invoice["next_payment_attempt"] = self.clock + 3 * 86400
        self._emit(kind, invoice)
        return False

    def _paid(self, sub: Json, invoice: Json) -> None:
        invoice["status"], invoice["amount_paid"] = "paid", invoice["amount_due"]
        pending = invoice.pop("_pending_item", None)
        if pending is not None:
            sub["items"]["data"].append(pending)
            sub["pending_update"] = None
        still_open = [i for i in self.invoices.values()
                      if i["subscription"] == sub["id"] and i["status"] in ("open", "draft")]
        if sub["status"] in ("past_due", "unpaid", "incomplete") and not still_open:
            sub["status"] = "active"
        self._emit("invoice.paid", invoice)
        self._emit("customer.subscription.updated", sub)

    # ------------------------------------------------------------ the customer

    def complete_checkout(self, session_id: str, card: str = "ok") -> Json:
        """The customer fills in the Checkout page (address, VAT id, card) and pays."""
        with self.lock:
            session = self.sessions[session_id]
            self.cards[session["customer"]] = card
            data = session["_subscription_data"]
            trial = int(data.get("trial_period_days") or 0)
            sub: Json = {"id": _id("sub"), "object": "subscription",
                         "customer": session["customer"], "status": "incomplete",
                         "metadata": data.get("metadata", {}), "cancel_at_period_end": False,
                         "trial_end": self.clock + trial * 86400 if trial else None,
                         "pending_update": None, "latest_invoice": None,
                         "created": self.clock, "_period_start": self.clock,
                         "items": {"object": "list", "data": [], "has_more": False}}
            sub["items"]["url"] = f"/v1/subscription_items?subscription={sub['id']}"
            self.subscriptions[sub["id"]] = sub
            sub["items"]["data"] = [self._item(sub["id"], line["price"],
                                               int(line.get("quantity", 1)))
                                    for line in session["_lines"]]
            amount = 0 if trial else sum(i["price"]["unit_amount"] * i["quantity"]
                                         for i in sub["items"]["data"])
            invoice = self._invoice(sub, amount, "open")
            sub["latest_invoice"] = invoice["id"]
            session["subscription"], session["status"] = sub["id"], "complete"
            paid = card == "ok"
            session["payment_status"] = "paid" if paid else "unpaid"
            if paid:
                sub["status"] = "trialing" if trial else "active"
            self._emit("customer.subscription.created", sub)
            self._emit("checkout.session.completed", self._public(session))
            if paid:
                invoice["status"], invoice["amount_paid"] = "paid", amount
                self._emit("invoice.paid", invoice)
            else:
                self._charge(sub, invoice)
            return sub

    def set_card(self, customer: str, card: str) -> None:
        with self.lock:
            self.cards[customer] = card

    def renew(self, subscription: str) -> Json:
        """The period ends: a new invoice, charged (or, for an unpaid subscription, left a
        draft, as Stripe does)."""
        with self.lock:
            sub = self.subscriptions[subscription]
            sub["_period_start"] += 30 * 86400
            for item in sub["items"]["data"]:
                item["current_period_start"] = sub["_period_start"]
                item["current_period_end"] = sub["_period_start"] + 30 * 86400
            amount = sum(i["price"]["unit_amount"] * i["quantity"] for i in sub["items"]["data"])
            if sub["status"] == "unpaid":
                invoice = self._invoice(sub, amount, "draft")
                self._emit("invoice.created", invoice)
                return invoice
            invoice = self._invoice(sub, amount, "open")
            sub["latest_invoice"] = invoice["id"]
            if sub["status"] == "trialing":
                sub["status"] = "active"
            if not self._charge(sub, invoice):
                sub["status"] = "past_due"
                self._emit("customer.subscription.updated", sub)
            return invoice

    def exhaust_retries(self, subscription: str) -> None:
        """Smart Retries gave up: the subscription becomes ``unpaid``."""
        with self.lock:
            sub = self.subscriptions[subscription]
            sub["status"] = "unpaid"
            self._emit("customer.subscription.updated", sub)

    def pay_invoice(self, invoice_id: str) -> Json:
        """The customer pays an open invoice (hosted page, or the /pay endpoint)."""
        with self.lock:
            invoice = self._get(self.invoices, invoice_id)
            if invoice["status"] != "open":
                raise StripeError(400, "invalid_request_error", "Invoice is not open")
            self.cards[invoice["customer"]] = "ok"
            self._paid(self.subscriptions[invoice["subscription"]], invoice)
            return self._public(invoice)

    def cancel(self, subscription: str, *_: Any) -> Json:
        with self.lock:
            if isinstance(subscription, dict):  # called through the route with params
                raise StripeError(400, "invalid_request_error", "bad cancel")
            sub = self._get(self.subscriptions, subscription)
            sub["status"] = "canceled"
            self._emit("customer.subscription.deleted", sub)
            return sub

    def open_invoices(self, subscription: str) -> list[Json]:
        return [i for i in self.invoices.values()
                if i["subscription"] == subscription and i["status"] == "open"]

    # ----------------------------------------------------------------- events

    def _emit(self, kind: str, obj: Json) -> None:
        snapshot = json.loads(json.dumps(self._public(obj)))
        if snapshot.get("object") == "subscription":
            snapshot.pop("_period_start", None)
        self.outbox.append({"id": _id("evt"), "object": "event", "type": kind,
                            "api_version": "2025-09-30.clover", "created": self.clock,
                            "livemode": False, "pending_webhooks": 1,
                            "data": {"object": snapshot}})

    def sign(self, payload: bytes, timestamp: int | None = None,
             secret: str | None = None) -> str:
        """The ``Stripe-Signature`` header Stripe would send."""
        at = int(time.time()) if timestamp is None else timestamp
        mac = hmac.new((secret or self.webhook_secret).encode(),
                       f"{at}.".encode() + payload, hashlib.sha256).hexdigest()
        return f"t={at},v1={mac}"

    def take(self) -> list[Json]:
        with self.lock:
            events, self.outbox = self.outbox, []
            return events

    def deliver(self, post: Callable[[bytes, str], Any], events: list[Json] | None = None
                ) -> list[Any]:
        """Send queued (or the given) events, each signed, through ``post(body, signature)``
        (the app's webhook); returns the answers."""
        answers = []
        for event in self.take() if events is None else events:
            body = json.dumps(event).encode()
            answers.append(post(body, self.sign(body)))
        return answers
