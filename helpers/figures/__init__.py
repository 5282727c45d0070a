"""Figures of the chapters, one module per chapter (drawing only: the numbers come from
the chapter's computation module).

Each ``draw_*`` function fills a given matplotlib figure. A slider panel is a
:class:`~helpers.plotting.PanelView`: its ``draw`` method makes the static figure on the
page, and the chapter's :class:`~helpers.widgets.SliderPanel` uses the same view to draw
the background once and move only the artists that depend on the sliders. A module with
slider panels declares them in its ``PANELS`` dict (name -> :class:`~helpers.widgets.Panel`:
the view and its :class:`~helpers.widgets.Slider` declarations); the chapter builds each
with ``figs.PANELS["<name>"].widget()``.
"""
