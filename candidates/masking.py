def masked_email(address):
    """An address shown to someone who may not own it: its first letter and its domain
    (c•••@exemple.fr), enough to recognise one's own, too little to learn someone else's."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}•••@{domain}"
