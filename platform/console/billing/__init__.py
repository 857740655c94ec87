"""The console's billing screen: plan and usage, upgrade buttons that go to Stripe Checkout,
the Customer Portal link and the past-due banner (``rapport.core.billing`` underneath)."""
