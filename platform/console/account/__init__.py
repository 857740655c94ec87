"""Account screens: sign-up, sign-in and sign-out, password reset, the e-mailed links
(invitation, address confirmation), and the language picker before sign-in."""

from rapport.console.account.language import choose_language
from rapport.console.account.links import accept, invite_page, verify, verify_page
from rapport.console.account.password import forgot, forgot_page, reset, reset_page
from rapport.console.account.second_step import PAGES as SECOND_STEP_PAGES
from rapport.console.account.security import PAGES as SECURITY_PAGES
from rapport.console.account.sign_in import sign_in, sign_in_page, sign_out
from rapport.console.account.sign_up import sign_up, sign_up_page
from rapport.console.account.sso import PAGES as SSO_PAGES
from rapport.console.account.two_factor import PAGES as TWO_FACTOR_PAGES

PAGES = [
    sign_in_page, sign_in, sign_out, sign_up_page, sign_up, forgot_page, forgot,
    reset_page, reset, invite_page, accept, verify_page, verify, choose_language,
    *SECURITY_PAGES, *SECOND_STEP_PAGES, *TWO_FACTOR_PAGES,
    *SSO_PAGES,
]
