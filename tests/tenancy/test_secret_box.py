"""One sealing module for the TOTP key and the SSO client secret, and what is already stored
still opens: the two values below were sealed by the modules this one replaced
(``secret_box`` for TOTP, ``sso/sealing`` for the SSO secret) under the key below."""

import pytest

from rapport.tenancy.secret_box import (
    SSO_CLIENT_SECRET,
    TOTP_SECRET,
    Unreadable,
    open_sealed,
    seal,
)

KEY = "test-secret-key-0123456789abcdef-for-vectors"
PERSON = "0190a1b2-0000-7000-8000-000000000001"
ORGANIZATION = "0190a1b2-0000-7000-8000-0000000000aa"
STORED_TOTP = "v1.NswPyLvWmlclpzc36dTAQ3nKvw_zYhDj9_CLqT-squ72f9V39J1d8SRe4G8="
STORED_SSO = "v1.HOqNt9KTPcHKPK_ZvYN2pZf_LHgiyscNDibo7aicJTK12JcKyYbSDZkf-GDcxf40eYPq3w=="


def test_values_stored_before_the_merge_still_open():
    assert open_sealed(KEY, TOTP_SECRET, PERSON, STORED_TOTP) == "JBSWY3DPEHPK3PXP"
    assert open_sealed(KEY, SSO_CLIENT_SECRET, ORGANIZATION, STORED_SSO) == (
        "client-secret-of-the-idp")


@pytest.mark.parametrize("purpose", [TOTP_SECRET, SSO_CLIENT_SECRET])
def test_a_sealed_value_opens_only_for_its_key_owner_and_purpose(purpose):
    sealed = seal(KEY, purpose, ORGANIZATION, "s3cret")
    assert sealed.startswith("v1.") and "s3cret" not in sealed
    assert sealed != seal(KEY, purpose, ORGANIZATION, "s3cret")  # a fresh nonce each time
    assert open_sealed(KEY, purpose, ORGANIZATION, sealed) == "s3cret"
    other = SSO_CLIENT_SECRET if purpose is TOTP_SECRET else TOTP_SECRET
    for key, owner, used_for in ((KEY + "-rotated", ORGANIZATION, purpose),
                                 (KEY, PERSON, purpose),
                                 (KEY, ORGANIZATION, other)):
        with pytest.raises(Unreadable):
            open_sealed(key, used_for, owner, sealed)


def test_damaged_or_unknown_versions_are_unreadable():
    for damaged in ("v2." + STORED_SSO[3:], STORED_SSO[:-6] + "AAAA==", "v1.!!!", "plain"):
        with pytest.raises(Unreadable):
            open_sealed(KEY, SSO_CLIENT_SECRET, ORGANIZATION, damaged)
