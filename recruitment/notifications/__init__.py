"""Notifications about a person's own work (docs/notifications.md).

The day a step touches someone's candidate (a dossier returned, a decision issued, a verification reply
received) `create.notify_*` writes one Notification row per person responsible, in the step's own
transaction: the row is the outbox, so a broker outage delays the email and never loses it. A weekly
reminder lists the deadlines of the coming two weeks. `delivery` sends the emails once (claim, send, mark)
like the monthly digest; the bell in the navbar and the list page read the same rows.
"""
