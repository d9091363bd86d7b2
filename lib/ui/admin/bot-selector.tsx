/**
 * Which bot an admin page shows, when more than one has a model: a plain GET form to the page
 * itself (`?bot=`), so it works without script.
 */
export function BotSelector({ bots, current, action, testId }: { bots: readonly { id: string; name: string }[]; current: string; action: string; testId: string }) {
  return (
    <form action={action} method="get" className="flex flex-wrap items-center gap-2 text-sm">
      <label className="flex min-w-0 items-center gap-2">
        Bot
        <select name="bot" defaultValue={current} className="max-w-full min-w-0 rounded-md border border-slate-300 px-2 py-1" data-testid={testId}>
          {bots.map((bot) => (
            <option key={bot.id} value={bot.id}>
              {bot.name} ({bot.id})
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-100">
        Show
      </button>
    </form>
  );
}
