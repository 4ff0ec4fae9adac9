"""Reconciliation with the national party-member database (docs/reconciliation.md).

The board uploads the member list exported from the national database (national), PartyHub's own
members of the organisation's subtree are read (selectors), the two are matched and compared by a
pure function (compare), and the differences are shown and written as a workbook (xlsx), which
also writes the upward export of the members admitted or recognised in a period. Nothing in
PartyHub changes. Who may do it: access; the pages: forms, views, urls and templates/.
"""
