from flask import Blueprint
bp = Blueprint("setup", __name__, url_prefix="/admin/setup")
