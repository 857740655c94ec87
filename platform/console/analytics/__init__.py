"""The analysis dashboard (``/analytics``: the ABC-XYZ matrix, RFM cells, the CLV
distribution as server-rendered SVG, a recompute button for managers) and the classes card
on the customer page (``classes.html``, fed by the contact view's ``analytics`` section)."""
