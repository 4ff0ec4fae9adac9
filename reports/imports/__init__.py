"""Excel in: the import workbook (columns), reading it safely (reader), the cell parsers (cells),
the row validators (rows), applying the rows through the services (apply), the row-by-row report
(report), the template (template) and `import_workbook`, the all-or-nothing entry point (service).

From the browser: an upload is an ImportRun run inline or on a worker (jobs, tasks), with the upload
form (forms), the pages (views, urls, templates/) and its admin (admin).
"""
