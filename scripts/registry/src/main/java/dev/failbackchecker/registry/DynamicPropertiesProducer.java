package dev.failbackchecker.registry;

import io.apicurio.common.apps.config.DynamicConfigPropertyList;
import io.quarkus.arc.Unremovable;
import java.util.ArrayList;
import javax.enterprise.inject.Produces;
import javax.inject.Singleton;

/** Stands in for the config-index extension's build step: no setting is dynamic. */
public class DynamicPropertiesProducer {
    @Produces
    @Singleton
    @Unremovable
    DynamicConfigPropertyList dynamicConfigPropertyList() {
        return new DynamicConfigPropertyList(new ArrayList<>());
    }
}
