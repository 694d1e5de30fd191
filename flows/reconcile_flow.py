"""The reconciler: a submitted case is never lost, a stuck case is never silent."""

from __future__ import annotations

from prefect import flow, get_run_logger
from prefect.artifacts import acreate_table_artifact

from tasks.reconcile import report_stuck, start_orphans


@flow(name="reconcile-cases", persist_result=False)
async def reconcile_cases(grace_seconds: float = 30) -> dict[str, int]:
    logger = get_run_logger()
    started = await start_orphans(grace_seconds)
    stuck = await report_stuck()
    for reference in started:
        logger.info("started case %s (submitted, no flow run)", reference)
    if stuck:
        logger.warning("%d case(s) past their step budget", len(stuck))
        await acreate_table_artifact(
            key="sopflow-stuck-cases",
            table=[
                {
                    "kasus": s.reference,
                    "status": s.status,
                    "langkah": s.step,
                    "menunggu_menit": round(s.waiting_seconds / 60, 1),
                    "batas_menit": round(s.budget_seconds / 60, 1),
                }
                for s in stuck
            ],
            description="Kasus yang melewati batas waktu langkahnya",
        )
    return {"started": len(started), "stuck": len(stuck)}
