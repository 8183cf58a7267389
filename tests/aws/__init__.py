"""Tests of live AWS collection, run against a moto server."""
