"""Every feature of the web boundary, registered from this one list: each has its JSON API
blueprint (flask-smorest, under /api/v1) and its pages blueprint, with its schemas beside them."""
from api.accounts import endpoints as accounts_api
from api.assets import endpoints as assets_api
from api.board import endpoints as board_api, pages as board_pages
from api.care import endpoints as care_api, pages as care_pages, survey_pages
from api.field import endpoints as field_api, pages as field_pages, photos as field_photos
from api.jobs import endpoints as jobs_api, pages as jobs_pages
from api.public import endpoints as public_api, pages as public_pages
from api.stock import endpoints as stock_api, pages as stock_pages

API_BLUEPRINTS = [accounts_api.blp, public_api.blp, assets_api.blp, jobs_api.blp, board_api.blp, stock_api.blp,
                  care_api.blp, field_api.blp]
PAGE_BLUEPRINTS = [public_pages.bp, jobs_pages.bp, stock_pages.bp, survey_pages.bp, care_pages.bp, field_pages.bp,
                   board_pages.bp, field_photos.bp]
