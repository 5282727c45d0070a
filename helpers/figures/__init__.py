"""Figures of the chapters, one module per chapter.

Each ``draw_*`` function fills a given matplotlib figure and is used twice: once for
the static figure on the page and once by the chapter's :class:`~helpers.widgets.SliderPanel`.
"""
