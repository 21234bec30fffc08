"""One module per resource type, each with discover / diff / create / update / delete."""
