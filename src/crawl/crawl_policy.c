#include "crawl/crawl_policy.h"

static bool in_allowed_range(const struct crawl_config *cfg, const netaddr_t *a)
{
    for (size_t i = 0; i < cfg->n_allow; i++)
        if (netaddr_cidr_contains(&cfg->allow[i], a))
            return true;
    return false;
}

bool crawl_policy_may_store(const struct crawl_config *cfg, const netaddr_t *a)
{
    /* I2P has no ports: Bitcoin Core uses 0 there. */
    if (a->port == 0 && a->net != NETADDR_I2P)
        return false;
    switch (a->net) {
    case NETADDR_IPV4:
    case NETADDR_IPV6: return netaddr_is_routable(a) || in_allowed_range(cfg, a);
    case NETADDR_TORV3:
    case NETADDR_I2P:
    case NETADDR_CJDNS: return true;
    default: return false;
    }
}

bool crawl_policy_may_dial(const struct crawl_config *cfg, const netaddr_t *a)
{
    if (!crawl_policy_may_store(cfg, a))
        return false;
    if (cfg->only_allowed && (a->net == NETADDR_IPV4 || a->net == NETADDR_IPV6))
        return in_allowed_range(cfg, a);
    switch (a->net) {
    case NETADDR_TORV3: return cfg->has_onion_proxy;
    case NETADDR_I2P: return cfg->has_i2p_proxy;
    case NETADDR_CJDNS: return cfg->cjdns;
    default: return true;
    }
}
