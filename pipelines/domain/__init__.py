"""The regulation as code: its text, the settings that read it, working days, the metrics of a matter, the
rules and the statutory clock of cases.

Imports core only.
"""
