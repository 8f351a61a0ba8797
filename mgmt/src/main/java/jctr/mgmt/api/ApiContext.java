package jctr.mgmt.api;

import jctr.mgmt.engine.Engine;

/**
 * What every part of the API shares: the engine it serves and the listener configuration. Registered as
 * a singleton bean when the server starts.
 *
 * @param engine the engine
 * @param config how the API listens
 */
public record ApiContext(Engine engine, ApiConfig config) {
}
