"""QuoteQA's chat page in Gradio: the layout and its events (`layout`), the callbacks (`handlers`),
what the page shares with Gradio's `/ask` API (`service`, `api`), the header (`header`), thumbs as
records (`ratings`), named outputs (`update`), feedback lines (`feedback`), and the CSS and
JavaScript kept in `static/` (`assets`).

An adapter: answers come from `qa`, their HTML from `qa.present`, HTTP limits and launching from
`serving`. No settings are read here; `app.py` parses them and starts the server. Importing this
package imports neither Gradio nor the model (`app.py` sets the environment first).
"""

from .api import BATCH_SIZE, GradioAsk
from .assets import Assets, load_assets
from .handlers import EXPORT_MAX_AGE_S, Cleared, Handlers
from .header import NOTICE, header_html, stale_against
from .layout import OUTPUTS, Page, build_ui, page_components, page_values
from .ratings import Rating
from .service import RESTORE_TURNS, Service
from .update import KEEP, PageUpdate

__all__ = [
    "BATCH_SIZE", "EXPORT_MAX_AGE_S", "KEEP", "NOTICE", "OUTPUTS", "RESTORE_TURNS", "Assets", "Cleared", "GradioAsk",
    "Handlers", "Page", "PageUpdate", "Rating", "Service", "build_ui", "header_html", "load_assets", "page_components",
    "page_values", "stale_against",
]
