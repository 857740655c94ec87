"""Analytics: RFM scores and cells, ABC (Pareto) and XYZ (variation) classes and customer
lifetime value for every contact, with the history of class changes, recomputed by jobs
the worker or ``rapport analytics recompute`` run step by step (see docs/analytics.md).

``AnalyticsController`` serves ``/api/v1/analytics``; jobs live in ``jobs``, the set-based
class statements in ``classes``, the CLV models in ``clv`` and ``bgnbd``, reads in
``service``.
"""

from rapport.core.analytics.models import AnalyticsJob, ClassChange, ContactAnalytics

__all__ = ["AnalyticsJob", "ClassChange", "ContactAnalytics"]
