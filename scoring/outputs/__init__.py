"""Outputs: finished results written as JSON, workbooks and terminal text."""
