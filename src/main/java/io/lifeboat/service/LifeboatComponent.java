package io.lifeboat.service;

import io.lifeboat.recovery.RecoverySteps;
import java.util.Map;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

/**
 * The lifeboat: endpoints the routes are made of ("to: lifeboat:verify"), one per step of the
 * backup flows (FlowSteps) and of the recovery flows (RecoverySteps), and the scheduled integrity
 * check (verify-repository). An unknown step or option
 * fails when the route is made, so a reloaded route file with a typo is refused before it
 * replaces the running one.
 */
public final class LifeboatComponent extends DefaultComponent {
    private final FlowSteps steps;
    private final RecoverySteps recoverySteps;
    private final IntegrityCheck integrityCheck;

    LifeboatComponent(FlowSteps steps, RecoverySteps recoverySteps, IntegrityCheck integrityCheck) {
        this.integrityCheck = integrityCheck;
        this.steps = steps;
        this.recoverySteps = recoverySteps;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        return new StepEndpoint(uri, this, step(remaining, parameters));
    }

    private Processor step(String name, Map<String, Object> parameters) {
        if (RecoverySteps.NAMES.contains(name)) {
            return recoverySteps.step(name);
        }
        if ("verify-repository".equals(name)) {
            return integrityCheck;
        }
        if (!FlowSteps.NAMES.contains(name)) {
            throw new IllegalArgumentException("unknown step lifeboat:" + name + "; the steps are "
                    + String.join(", ", FlowSteps.NAMES) + " (backups) and " + String.join(", ", RecoverySteps.NAMES)
                    + " (recoveries) and verify-repository");
        }
        return steps.step(name, parameters);
    }

    /** Checks a step and its options as a route would use them, without making an endpoint. */
    void check(String remaining, Map<String, Object> parameters) {
        step(remaining, parameters);
        if (!parameters.isEmpty()) {
            throw new IllegalArgumentException("lifeboat:" + remaining + " has no option " + parameters.keySet());
        }
    }

    private static final class StepEndpoint extends DefaultEndpoint {
        private final Processor step;

        StepEndpoint(String uri, LifeboatComponent component, Processor step) {
            super(uri, component);
            this.step = step;
        }

        @Override
        public Producer createProducer() {
            return new DefaultProducer(this) {
                @Override
                public void process(Exchange exchange) throws Exception {
                    step.process(exchange);
                }
            };
        }

        @Override
        public Consumer createConsumer(Processor processor) {
            throw new UnsupportedOperationException("lifeboat: steps are used with to:, not from:");
        }
    }
}
