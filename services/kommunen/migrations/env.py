from kommunen.models import metadata
from zwk_common.migrations import run_env

run_env(metadata)
