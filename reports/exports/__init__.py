"""Downloads of the reports: the progress report as .xlsx and PDF, Biểu 2, deadlines and lists of people."""
