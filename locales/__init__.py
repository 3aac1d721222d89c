"""The message catalogues: every text meant for people, in Chinese (zh_CN); English is the source.

Each area of the product keeps its translations in its own file, `zh_CN/<area>.po`; core.i18n
compiles all of them into one catalogue in memory when a process first needs it.
"""
