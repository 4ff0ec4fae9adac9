"""The official papers of the admission steps and the scans of the signed ones.

`catalogue` names the papers (form numbers and the step each belongs to), `content` builds a paper's
text from the recorded steps as a pure function of the records `selectors` loads, `render` draws it
as PDF (WeasyPrint, from a Django template) and DOCX (python-docx), and `attachments` checks and
stores the uploaded scans through Django's storage API. The views in recruitment.views.papers only
look up the candidate in the user's scope and call these.
"""
