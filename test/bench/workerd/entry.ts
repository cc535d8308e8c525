/**
 * @module The Worker worker-cpu-workerd.ts runs in workerd (bundled by esbuild): it plans one
 * source's steps (worker-cpu-steps.ts; a sync stores its outcomes as the worker does, store.ts)
 * against the bench's mirrors, over workerd's real fetch, and runs one step per request; the CPU
 * is measured from outside, on workerd's threads.
 *
 * - `GET /plan?group=N&newer=URL[&older=URL]`: plans source group N (sourceGroups' index), its
 *   newer bodies from the mirror at `newer`, its older ones from `older`; answers the steps.
 * - `GET /run?step=K`: runs step K of the plan once.
 * - `GET /cron`: the cron's invocation once (cron.ts).
 * - `GET /noop`: nothing (the floor of every figure: workerd's own handling of a request).
 */
import { BUILTIN_FEEDS } from '../../../shared/src/feeds/index.ts'
import { sourceGroups } from '../../../worker/src/jobs/source-groups.ts'
import { collectPlanGarbage, planSteps, type StepPlan, type Upstream } from '../worker-cpu-steps.ts'
import { runCronOnce } from './cron.ts'
import { WORKER_STORAGE } from './store.ts'

let plan: StepPlan | undefined

const upstream = (mirror: string): Upstream => ({
  fetch: (url, init) => fetch(url, init),
  mirror,
})

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url)
    const param = (name: string) => url.searchParams.get(name)
    if (url.pathname === '/noop') return new Response('')
    if (url.pathname === '/cron') {
      await runCronOnce()
      return new Response('')
    }
    if (url.pathname === '/plan') {
      const ids = sourceGroups(BUILTIN_FEEDS)[Number(param('group'))]!
      const feeds = ids.map((id) => BUILTIN_FEEDS.find((f) => f.id === id)!)
      const older = param('older')
      plan = await planSteps(
        feeds,
        upstream(param('newer')!),
        older === null ? undefined : upstream(older),
        WORKER_STORAGE,
      )
      collectPlanGarbage()
      const steps = plan.steps.map(({ kind, feed }) => ({ kind, feed }))
      return Response.json({ bytes: plan.bytes, first: plan.first, steps })
    }
    if (url.pathname === '/run' && plan !== undefined) {
      await plan.steps[Number(param('step'))]!.run()
      return new Response('')
    }
    return new Response('not found', { status: 404 })
  },
}
