"""The audit trail (issue 14, finding 8; docs/security.md "Audit"): who wrote each history row, and who
was shown which sensitive field.

- authors.py: the author and reason of the history rows a background job writes (an import on a worker
  has no request for simple-history to take the user from);
- reads.py: the SensitiveRead log, fed by partyhub/audit.py (the lower layers announce what they showed);
- views.py: the administrators' page over both, filterable and exported to .xlsx.
"""
