"""Paging for large tables without COUNT(*).

Counting a filtered table of hundreds of thousands of rows costs more than
fetching the page itself, and nobody pages to the end of such a list: people
narrow the filters. So a page fetches one row more than it shows, to know
whether there is a next one, and the pager offers only "previous" and "next"."""

from dataclasses import dataclass

DEFAULT_PER_PAGE = 50


@dataclass
class Page:
    items: list
    number: int
    has_next: bool

    @property
    def has_previous(self):
        return self.number > 1

    @property
    def previous_page_number(self):
        return self.number - 1

    @property
    def next_page_number(self):
        return self.number + 1

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)


def paginate(queryset, page, per_page=DEFAULT_PER_PAGE) -> Page:
    """The ``page``-th page (1-based; anything else reads as 1) of ``queryset``."""
    try:
        number = max(1, int(page))
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    return Page(items=rows[:per_page], number=number, has_next=len(rows) > per_page)
