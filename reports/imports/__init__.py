"""Excel in: the import workbook (columns), reading it safely (reader), the cell parsers (cells),
the row validators (rows), applying the rows through the services (apply), the row-by-row report
(report), the template (template) and `import_workbook`, the all-or-nothing entry point (service).
"""
