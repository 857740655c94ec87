"""The CRM kernel: one package per business area (contacts, deals, workflows, …)."""
