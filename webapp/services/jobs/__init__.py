"""Reading job runs for people: the Jobs page, a run's page, the run a page started."""
