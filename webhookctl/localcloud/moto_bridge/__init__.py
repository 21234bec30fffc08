"""Every contact the local cloud has with moto's internals, and the guard that checks them at start.

Each module here reads or replaces one part of moto; `patches.PATCHES` lists every replacement with
the fingerprints of the moto source it was tested against, and `guard` decides at start which apply.
Imports stay lazy: importing the package does not import moto.
"""
