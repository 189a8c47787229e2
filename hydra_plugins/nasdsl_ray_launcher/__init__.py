"""A small Hydra launcher over Ray (`hydra/launcher=nasdsl_ray`).

hydra-ray-launcher pins cloudpickle<3 and pulls in boto3 and ray[default]; this one
needs only `ray` and runs each Hydra job as a Ray task on a local or remote cluster.
"""
