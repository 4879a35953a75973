import { pickAgent } from "../../src/routing/pickAgent";

describe("auto-routing's choice of agent", () => {
  it("takes the agent with the fewest active chats", () => {
    const agents = [
      { id: "b", name: "B", active: 2 },
      { id: "a", name: "A", active: 1 },
      { id: "c", name: "C", active: 3 },
    ];
    expect(pickAgent(agents, 5)?.id).toBe("a");
  });

  it("skips agents at the limit, and finds none when all are", () => {
    const agents = [
      { id: "a", name: "A", active: 2 },
      { id: "b", name: "B", active: 1 },
    ];
    expect(pickAgent(agents, 2)?.id).toBe("b");
    expect(pickAgent(agents, 1)).toBeNull();
    expect(pickAgent([], 5)).toBeNull();
  });

  it("breaks ties by id, so every router makes the same choice", () => {
    const agents = [
      { id: "z", name: "Z", active: 0 },
      { id: "m", name: "M", active: 0 },
    ];
    expect(pickAgent(agents, 5)?.id).toBe("m");
  });
});
