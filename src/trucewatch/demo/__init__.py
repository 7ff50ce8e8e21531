"""The demo scenario: the December 2016 Syria truce and the Astana talks, with synthetic reports."""
