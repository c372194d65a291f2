"""The shared UI helpers every page is built from (docs/UI.md shows how a page uses them):

- :mod:`ui.components.focus`: where the focus goes and what screen readers are told (``move_focus``, ``announce``)
- :mod:`ui.components.fields`: fields with label, hint and error, and ``Form`` (a service's field errors shown)
- :mod:`ui.components.dialogs`: ``Dialog``, ``confirm``, ``show_link_once``
- :mod:`ui.components.actions`: ``action_button`` (disabled while its action runs) and ``BusyState``
- :mod:`ui.components.tables`: ``ResponsiveTable``, ``ListState`` in the URL, ``ListFilters``, ``pager``
- :mod:`ui.components.agreement`: agreement text through the one safe Markdown renderer

The page frame, headings, cards, the 404 page and the look are in :mod:`ui.theme`.
"""
