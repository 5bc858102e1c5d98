"""Issue 22: what the app is built of (~200,000 objects: modules, routes, schemas, tables) is frozen
out of the cyclic collector when it starts serving. Each full pass of the collector over it took
~100 ms on the bench machine, stalling every request in flight (the field's p99)."""

import gc


async def test_the_app_is_out_of_the_collectors_full_passes_once_it_serves(app):
    gc.unfreeze()
    try:
        async with app.router.lifespan_context(app):
            assert gc.get_freeze_count() > 50_000
    finally:
        gc.unfreeze()
