"""The annual-report section (法治政府建设情况报告): facts from results, wording from a Jinja2
template, Markdown and Word output, and filling the office's own draft."""
