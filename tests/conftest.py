"""Importing the package registers its modules into mmseg's registries."""
import setr_fundus  # noqa: F401
