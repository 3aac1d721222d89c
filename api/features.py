"""Every feature of the web boundary, registered from this one list: each has its JSON API
blueprint (flask-smorest, under /api/v1) and its pages blueprint, with its schemas beside them."""
from api.accounts import endpoints as accounts_api
from api.assets import endpoints as assets_api
from api.board import endpoints as board_api
from api.board import pages as board_pages
from api.care import endpoints as care_api
from api.care import pages as care_pages
from api.care import survey_pages
from api.field import endpoints as field_api
from api.field import pages as field_pages
from api.field import photos as field_photos
from api.imports import pages as imports_pages
from api.jobs import endpoints as jobs_api
from api.jobs import pages as jobs_pages
from api.messages import endpoints as messages_api
from api.messages import pages as messages_pages
from api.people import endpoints as people_api
from api.people import pages as people_pages
from api.people import welcome as people_welcome
from api.public import endpoints as public_api
from api.public import pages as public_pages
from api.setup import catalog_api as setup_catalog_api
from api.setup import pages as setup_pages
from api.setup import stock_api as setup_stock_api
from api.stock import endpoints as stock_api
from api.stock import pages as stock_pages
from api.windows import endpoints as windows_api
from api.windows import pages as windows_pages

API_BLUEPRINTS = [accounts_api.blp, public_api.blp, assets_api.blp, jobs_api.blp, board_api.blp, stock_api.blp,
                  care_api.blp, field_api.blp]
PAGE_BLUEPRINTS = [public_pages.bp, jobs_pages.bp, stock_pages.bp, survey_pages.bp, care_pages.bp, field_pages.bp,
                   board_pages.bp, field_photos.bp, imports_pages.bp]
API_BLUEPRINTS += [setup_catalog_api.blp, setup_stock_api.blp]
PAGE_BLUEPRINTS += [setup_pages.bp]
# Administration of people and places: users, regions, technicians; and the invited user's welcome page.
API_BLUEPRINTS += [people_api.blp]
PAGE_BLUEPRINTS += [people_pages.bp, people_welcome.bp]
# Messages to customers: what was sent for a job (staff), and the customer's opt-out link.
API_BLUEPRINTS += [messages_api.blp]
PAGE_BLUEPRINTS += [messages_pages.bp]
# Paid repairs: the price list, quotes the customer approves, and the technician's completion record.
from api.field import completion as field_completion
from api.field import completion_api as field_completion_api
from api.quotes import endpoints as quotes_api
from api.quotes import pages as quotes_pages

API_BLUEPRINTS += [quotes_api.blp, field_completion_api.blp]
PAGE_BLUEPRINTS += [quotes_pages.bp, field_completion.bp]
# Appointment windows: chosen by the customer on the tracking page, or booked by an agent on the job page.
API_BLUEPRINTS += [windows_api.public_blp, windows_api.staff_blp]
PAGE_BLUEPRINTS += [windows_pages.bp]
