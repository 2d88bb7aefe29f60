"""The demo county generator (`yichuang seed-demo`); see base.py."""
