"""The portal's French date formats, written once (FORMAT_MODULE_PATH): templates say
`|date:"DATETIME_FORMAT"`, Python says `date_format(moment, "DATETIME_FORMAT")`."""

DATETIME_FORMAT = r"j F Y à H\hi"  # 15 novembre 2023 à 17h00, the notice's way
SHORT_DATETIME_FORMAT = r"d/m/Y H\hi"  # 15/11/2023 17h00: the admin's lists, where a column is narrow
