/**
 * An aggregate's rules as one value: the state a stream starts in, how each of its events changes that state,
 * and what a command decides on it (events, or a domain error). Pure: time, ids and outside lookups come in
 * the command.
 */
export interface Decider<State, Command, Event, Fact = Event> {
  readonly initialState: State;
  readonly evolve: (state: State, event: Fact) => State;
  readonly decide: (command: Command, state: State) => Event[];
}
