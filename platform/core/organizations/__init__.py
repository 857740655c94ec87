"""Organizations (companies, clinics, dealers, suppliers) and the links of contacts to them
(role, job title, since/until).

``service`` holds the organization actions, ``links`` the contact↔organization actions;
``controllers`` serves ``/api/v1/organizations`` and ``/api/v1/contacts/{id}/organizations``.
"""
