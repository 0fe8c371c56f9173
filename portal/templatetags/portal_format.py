from django import template

from portal.formats import format_time_left

register = template.Library()
register.filter("time_left", format_time_left)
