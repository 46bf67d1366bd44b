"""What people read: labels, charts, chart and table exports, fonts, the text report and the monthly Word
report.

Imports everything below it (core … queries); never the demo or the command line.
"""
