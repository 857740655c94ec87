"""The attribution screen: credit per channel and campaign for a period's purchases."""
