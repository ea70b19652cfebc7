// Lambda bundles only: replaces mnemonist's LRU cache (~7 KiB with its helpers), which the
// DynamoDB client's endpoint-discovery cache builds and trailguard never fills (endpoint
// discovery is off). The same LRU semantics over a Map, for the methods @aws-sdk/endpoint-cache calls.
export default class LRUCache {
  constructor(capacity) {
    this.capacity = capacity;
    this.items = new Map();
  }
  get size() {
    return this.items.size;
  }
  has(key) {
    return this.items.has(key);
  }
  peek(key) {
    return this.items.get(key);
  }
  get(key) {
    if (!this.items.has(key)) return undefined;
    const value = this.items.get(key);
    this.items.delete(key);
    this.items.set(key, value);
    return value;
  }
  set(key, value) {
    this.items.delete(key);
    this.items.set(key, value);
    if (this.items.size > this.capacity) this.items.delete(this.items.keys().next().value);
    return this;
  }
  clear() {
    this.items.clear();
  }
}
