"""nasdsl's Hydra sweeper: asks the NAS strategy for trials and launches them as jobs."""
