"""Server-rendered pages: public (consumer, no login) and staff."""
from api.pages import care, public, staff, survey

BLUEPRINTS = [public.bp, staff.bp, survey.bp, care.bp]
